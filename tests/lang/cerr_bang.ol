// There is no ! operator.
if !true { print("no") }
