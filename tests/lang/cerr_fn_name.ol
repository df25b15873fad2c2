// A function expression has no name.
let f = fn named(x) { return x }
