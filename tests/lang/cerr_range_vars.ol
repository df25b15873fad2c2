// A range loop has one variable.
for i, x in range(3) {
    print(i, x)
}
