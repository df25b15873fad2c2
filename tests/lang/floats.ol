// Float formatting: shortest text that reads back exactly, always marked as float.
let xs = [0.1, 0.5, 1.0, -2.0, 100.0, 123456.0, 1e15, 1e16, 1e20, 1e-5, 2.5e-7,
          1.0 / 3.0, 2.0 / 3.0, 0.1 + 0.2, 1e308 * 10.0, 3.14159, 100.25, -0.0]
for x in xs { print(x) }
// the switch between fixed and exponent notation
print([0.0001, 0.00009, 0.00001234, 123456789012345.6, 1234567890123456.7, 1e22, 12345678.9e10])
print(1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 == 0.0 / 0.0)
print(str(1.5) + "|" + str(1e100) + "|" + str(5e-324))
// arithmetic results
print(7 / 2, 8 / 2, 2 ** 0.5, math.sqrt(16), 10 * 0.1)
print(math.floor(2.7), math.ceil(2.1), math.floor(-2.5), math.abs(-3.5), math.abs(-3))
print(math.min(3, 1.5, 2), math.max(3, 1.5, 2), math.pow(2, 10), math.pi)
print(type(math.floor(2.7)), type(math.min(1, 2)))
// floats and ints compare numerically, floor division on floats gives floats
print(3.0 == 3, 2.5 > 2, -0.0 == 0.0, 7.0 // 2, 7.0 % 2.5)
// int() truncates toward zero; huge floats cannot become ints
print(int(2.999), int(-2.999), int(1e18))
try { int(1e19) } catch e { print("int(1e19) rejected") }
try { int("12abc") } catch e { print("int(\"12abc\") rejected") }
try { int(0.0 / 0.0) } catch e { print("int(nan) rejected") }
// sums are deterministic
let acc = 0.0
for i in range(1, 101) { acc += 1.0 / i }
print(acc)
