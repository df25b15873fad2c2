// Floats need a leading digit.
let half = .5
