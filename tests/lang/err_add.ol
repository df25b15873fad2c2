// Mixing types in + is an error; there are no implicit conversions.
let count = 3
let label = "items: " + count
print(label)
