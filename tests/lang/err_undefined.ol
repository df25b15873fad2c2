// Assigning to an undeclared name is a compile error: nothing runs.
print("never printed")
let total = 0
for i in range(3) {
    totl = total + i
}
print(total)
