// An unterminated string is a lexical error at the opening quote.
let ok = "fine"
let bad = "no end
