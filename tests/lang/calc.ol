// A tokenizer and recursive-descent evaluator for arithmetic expressions.
// Grammar: expr = term {("+"|"-") term}; term = unary {("*"|"/"|"%") unary};
//          unary = "-" unary | power; power = atom ["^" unary];
//          atom = number | name | name "(" expr ")" | "(" expr ")"

fn is_digit(c) { return c >= "0" and c <= "9" }
fn is_alpha(c) { return (c >= "a" and c <= "z") or (c >= "A" and c <= "Z") or c == "_" }

fn tokenize(src) {
    let toks = []
    let i = 0
    let n = len(src)
    while i < n {
        let c = src[i:i + 1]
        if c == " " or c == "\t" {
            i += 1
            continue
        }
        if is_digit(c) or c == "." {
            let start = i
            while i < n and (is_digit(src[i:i + 1]) or src[i:i + 1] == ".") { i += 1 }
            let text = src[start:i]
            let v = nil
            if not text.contains(".") { v = int(text) } else { v = float(text) }
            toks.push({kind: "num", value: v, pos: start})
            continue
        }
        if is_alpha(c) {
            let start = i
            while i < n and (is_alpha(src[i:i + 1]) or is_digit(src[i:i + 1])) { i += 1 }
            toks.push({kind: "name", value: src[start:i], pos: start})
            continue
        }
        if "+-*/%^()".find(c) >= 0 {
            toks.push({kind: "op", value: c, pos: i})
            i += 1
            continue
        }
        error(format("unexpected character '{}' at {}", c, i))
    }
    toks.push({kind: "end", value: "", pos: n})
    return toks
}

fn parser(toks, vars) {
    let p = {pos: 0}
    fn peek() { return toks[p.pos] }
    fn advance() { let t = toks[p.pos] p.pos += 1 return t }
    fn expect(v) {
        let t = advance()
        if t.value != v { error(format("expected '{}' at {}", v, t.pos)) }
    }
    let expr = nil
    fn atom() {
        let t = advance()
        if t.kind == "num" { return t.value }
        if t.kind == "name" {
            if peek().value == "(" {
                advance()
                let arg = expr()
                expect(")")
                if t.value == "sqrt" { return math.sqrt(arg) }
                if t.value == "abs" { return math.abs(arg) }
                error("unknown function " + t.value)
            }
            if not map.has(vars, t.value) { error("unknown variable " + t.value) }
            return vars[t.value]
        }
        if t.value == "(" {
            let v = expr()
            expect(")")
            return v
        }
        error(format("unexpected '{}' at {}", t.value, t.pos))
    }
    let unary = nil
    fn power() {
        let base = atom()
        if peek().value == "^" {
            advance()
            return base ** unary()
        }
        return base
    }
    unary = fn() {
        if peek().value == "-" {
            advance()
            return -unary()
        }
        return power()
    }
    fn term() {
        let v = unary()
        while true {
            let op = peek().value
            if op == "*" { advance() v *= unary() }
            else if op == "/" { advance() v = v / unary() }
            else if op == "%" { advance() v = v % unary() }
            else { break }
        }
        return v
    }
    expr = fn() {
        let v = term()
        while true {
            let op = peek().value
            if op == "+" { advance() v += term() }
            else if op == "-" { advance() v -= term() }
            else { break }
        }
        return v
    }
    return fn() {
        let v = expr()
        if peek().kind != "end" { error(format("trailing input at {}", peek().pos)) }
        return v
    }
}

fn evaluate(src, vars) {
    return parser(tokenize(src), vars)()
}

let vars = {x: 3, y: 4, half: 0.5}
let cases = [
    "1 + 2 * 3",
    "(1 + 2) * 3",
    "2 ^ 3 ^ 2",
    "-2 ^ 2",
    "10 / 4",
    "10 % 4 + 7 % 3",
    "sqrt(x * x + y * y)",
    "abs(-17) - half",
    "1.5 * 4",
    "((((7))))",
    "2 * (3 + 4) * 5 - 6 / 3",
    "1 + ",
    "3 $ 4",
    "foo + 1",
    "(1 + 2",
    "1 2",
]
for src in cases {
    try {
        print(format("{} = {}", src, evaluate(src, vars)))
    } catch e {
        print(format("{} -> error: {}", src, e))
    }
}

// token dump for one input
let toks = tokenize("a1 + 22*(b - 3.25)")
let shown = []
for t in toks { shown.push(t.kind + ":" + str(t.value)) }
print(shown.join(" "))
