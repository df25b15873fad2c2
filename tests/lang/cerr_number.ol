// A number running into letters is malformed.
let x = 12abc
