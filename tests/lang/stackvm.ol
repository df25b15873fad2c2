// A tiny stack machine: an assembler from text to instructions, and an
// interpreter with labels, calls and a step limit of its own. Runs a
// recursive factorial, an iterative gcd and a program that faults.
fn assemble(src) {
    let code = []
    let labels = {}
    for raw in src.lines() {
        let line = raw
        let hash = line.find("#")
        if hash >= 0 { line = line[:hash] }
        line = line.trim()
        if line == "" { continue }
        if line.ends_with(":") {
            labels[line[:-1]] = len(code)
            continue
        }
        let parts = line.split()
        let ins = {op: parts[0], arg: nil}
        if len(parts) > 1 {
            let a = parts[1]
            try { ins.arg = int(a) } catch e { ins.arg = a }
        }
        code.push(ins)
    }
    // resolve label arguments
    for ins in code {
        if type(ins.arg) == "string" {
            if not map.has(labels, ins.arg) { error("unknown label " + ins.arg) }
            ins.arg = labels[ins.arg]
        }
    }
    return code
}

fn run(code, max_steps) {
    let stack = []
    let frames = []
    let out = []
    let pc = 0
    let steps = 0
    fn pop() {
        if len(stack) == 0 { error(format("stack underflow at {}", pc)) }
        return stack.pop()
    }
    while pc < len(code) {
        steps += 1
        if steps > max_steps { error("vm step limit") }
        let ins = code[pc]
        pc += 1
        let op = ins.op
        if op == "push" { stack.push(ins.arg) }
        else if op == "pop" { pop() }
        else if op == "dup" { let v = pop() stack.push(v) stack.push(v) }
        else if op == "swap" { let b = pop() let a = pop() stack.push(b) stack.push(a) }
        else if op == "over" { let b = pop() let a = pop() stack.push(a) stack.push(b) stack.push(a) }
        else if op == "add" { let b = pop() stack.push(pop() + b) }
        else if op == "sub" { let b = pop() stack.push(pop() - b) }
        else if op == "mul" { let b = pop() stack.push(pop() * b) }
        else if op == "mod" { let b = pop() stack.push(pop() % b) }
        else if op == "jz" { if pop() == 0 { pc = ins.arg } }
        else if op == "jmp" { pc = ins.arg }
        else if op == "call" { frames.push(pc) pc = ins.arg }
        else if op == "ret" {
            if len(frames) == 0 { error("return without call") }
            pc = frames.pop()
        }
        else if op == "print" { out.push(str(pop())) }
        else if op == "halt" { break }
        else { error("bad instruction " + op) }
    }
    return {out: out, steps: steps, depth: len(stack)}
}

let fact_src = "
    push 10
    call fact
    print
    halt
fact:            # n -> n!
    dup
    jz base
    dup
    push 1
    sub
    call fact
    mul
    ret
base:
    pop
    push 1
    ret
"
let gcd_src = "
    push 1071
    push 462
loop:            # a b -> gcd
    dup
    jz done
    swap
    over
    mod
    jmp loop
done:
    pop
    print
"
let bad_src = "
    push 1
    add
"
for name, src in {fact: fact_src, gcd: gcd_src, bad: bad_src} {
    try {
        let r = run(assemble(src), 10000)
        print(name, r.out.join(","), "steps", r.steps, "left", r.depth)
    } catch e {
        print(name, "fault:", e)
    }
}
try { assemble("jmp nowhere") } catch e { print("assembler:", e) }
try { run(assemble("top:\n jmp top"), 500) } catch e { print("loop:", e) }
