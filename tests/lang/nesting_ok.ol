// Source nested deeper than the parser's limit is refused at compile time;
// 25 levels of parentheses, lists and blocks are always accepted.
let ok = (((((((((((((((((((((((((1)))))))))))))))))))))))))
let lists = [[[[[[[[[[[[[[[[[[[[[[[[[2]]]]]]]]]]]]]]]]]]]]]]]]]
if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { if true { print("deep block") } } } } } } } } } } } } } } } } } } } } } } } } }
print(ok, len(lists))
