// Lists: 0-based, mutable, shared by reference.
fn show(l) { return "[" + l.map(str).join(", ") + "]" }

let l = [3, 1, 2,]
print(len(l), l[0], l[2], l[-1], show(l))
l.push(10)
list.push(l, 11)
print(show(l), l.pop(), show(l))
l.insert(0, 99)
l.insert(len(l), 100)
print(show(l))
print(l.remove(1), show(l))
l[0] = -1
print(show(l), l.contains(10), l.contains(7), l.index_of(2), l.index_of(42))
l.reverse()
print(show(l))

// lists are references; == is identity
let a = [1, 2]
let b = a
b.push(3)
print(show(a), a == b, a == [1, 2, 3])
let c = a + [4]
print(show(c), show(a), c == a)

// slicing copies
let s = [0, 1, 2, 3, 4, 5]
print(show(s[1:3]), show(s[:2]), show(s[4:]), show(s[-2:]), show(s[3:1]))
let t = s[:]
t[0] = 100
print(s[0], t[0], show(s.slice(2, 4)))

// map, filter, reduce
let nums = []
for i in range(1, 11) { nums.push(i) }
print(show(nums))
let squares = nums.map(fn(x) { return x * x })
let evens = nums.filter(fn(x) { return x % 2 == 0 })
let total = nums.reduce(fn(acc, x) { return acc + x }, 0)
print(show(squares))
print(show(evens), total)
print(list.reduce([2, 3, 4], fn(a, x) { return a * x }, 1))

// sort: default order, comparator, stability
let xs = [5, 3, 9, 1, 5, 7, -2]
xs.sort()
print(show(xs))
xs.sort(fn(a, b) { return a > b })
print(show(xs))
let words = ["pear", "fig", "apple", "kiwi", "banana", "date", "plum"]
words.sort()
print(words.join(" "))
// by length, stable: equal lengths keep their previous (alphabetical) order
words.sort(fn(a, b) { return len(a) < len(b) })
print(words.join(" "))
let people = [
    {name: "ann", age: 31}, {name: "bob", age: 25}, {name: "cy", age: 31},
    {name: "dee", age: 25}, {name: "eve", age: 40},
]
people.sort(fn(p, q) { return p.age < q.age })
let names = []
for p in people { names.push(p.name + ":" + str(p.age)) }
print(names.join(" "))

// nested lists, index assignment, out of range is an error
let grid = []
for i in range(3) {
    let row = []
    for j in range(3) { row.push(i * 3 + j) }
    grid.push(row)
}
grid[1][1] = "X"
for row in grid { print(show(row)) }
try {
    print(grid[3])
} catch e {
    print("caught index error:", e.contains("out of range"))
}
try {
    [].pop()
} catch e {
    print("caught pop on empty:", type(e))
}

// for with index
for i, w in ["a", "b", "c"] { print(i, w) }

// mixed list equality by element is not built in; write it
fn list_eq(p, q) {
    if len(p) != len(q) { return false }
    for i in range(len(p)) { if p[i] != q[i] { return false } }
    return true
}
print(list_eq([1, 2.0, "x"], [1.0, 2, "x"]), list_eq([1], [2]))
