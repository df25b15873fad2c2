// Slicing edge cases for strings and lists.
let s = "0123456789"
let l = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
let cases = [[0, 10], [2, 5], [-3, nil], [nil, -3], [5, 2], [-100, 3], [8, 100],
             [nil, nil], [10, nil], [-1, nil], [3, -7], [4, 4]]
for c in cases {
    let a = c[0]
    let b = c[1]
    let ss = nil
    let ls = nil
    if a == nil and b == nil { ss = s[:] ls = l[:] }
    else if a == nil { ss = s[:b] ls = l[:b] }
    else if b == nil { ss = s[a:] ls = l[a:] }
    else { ss = s[a:b] ls = l[a:b] }
    print(format("[{}:{}]", a, b), "\"" + ss + "\"", ls)
}
// expressions as bounds
let n = 3
print(s[n - 1:n * 2], l[len(l) // 2:])
// slices of slices, and slicing does not alias
let part = l[2:8][1:3]
part[0] = "changed"
print(part, l[3])
// UTF-8: string slicing is by byte; chars() gives code points
let u = "€uro"
print(len(u), u[3:], u.chars()[0], len(u.chars()))
// negative index reads
print(l[-1], l[-10], s[-1])
try { print(l[-11]) } catch e { print("l[-11] out of range") }
try { print(l[10]) } catch e { print("l[10] out of range") }
try { print(l[1.5]) } catch e { print("l[1.5] rejected") }
try { print(l["1"]) } catch e { print("l[\"1\"] rejected") }
// slice assignment is not part of the language; index assignment at -1 works
l[-1] = 99
print(l[9])
