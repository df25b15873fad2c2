// A program well inside its step budget runs to the end.
let total = 0
for i in range(100) { total += i }
print(total)
