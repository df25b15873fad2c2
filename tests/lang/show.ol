// How values print: str() and print() agree; strings quoted only inside containers.
print([1, "a", 2.5, nil, true, [], {}])
print({name: "x", 1: true, "k k": [1, {z: "q\"uote\n"}]})
print(str([["nested"], {"a": {"b": {}}}]))
let l = [1, 2]
l.push(l)
print(l)
let m = {}
m.self = m
print(m)
fn named(a) { return a }
print(str(named), str(fn(x) { return x }) == str(fn(y) { return y }))
print("top level strings are raw: \"q\"", ["but \"quoted\" inside"])
print()
print("", "")
print(str(""), len(str([])), format("{}", [1, "b"]))
