// Lexical details: comments, the // rule, escapes, number forms.
/* a block comment
   over several lines */ print("after block comment")
let n = 17
let half = n // 2; // a comment after a semicolon
let third = n // 3 /* block comment after an operand */
print(half, third)
// `//` after an operator or at a line start is a comment
let x = 10 +
// this line is a comment, the expression continues below
    5
print(x)
print(7 // 2, (7) // 2, [7][0] // 2)
let s = "// not a comment inside a string"
print(s, '/* nor this */')
print("tab[\t] nl[\\n] quote[\"] apostrophe[\'] nul-len", len("a\0b"))
print("\x41\x42\x43", "\u{48}\u{49}", len("\u{10FFFF}"), len("\u{7FF}"), len("\u{FFFF}"))
print('it\'s', "say \"hi\"", 'say "hi"')
let multi = "line one
line two"
print(multi.split("\n"))
print(1_000_000, 0x10, 0XfF, 1e2, 1E-2, 2.5e+3, 0.000_5)
print(-5, - 5, -(-5), --5, ~~5)
print(1.5e308 * 10.0, -1e309)
/* block comments do not nest: the first closer ends it */
print("end")
