// A syntax error: the missing parenthesis is reported where the parser stops.
let values = [1, 2, 3]
let total = (values[0] + values[1]
print(total)
