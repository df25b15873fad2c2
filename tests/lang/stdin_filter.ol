// A line filter over standard input: number the lines, total the numbers
// found in them, and report the longest line.
let n = 0
let total = 0
let longest = ""
let line = proc.stdin.read_line()
while line != nil {
    n += 1
    for word in line.split() {
        let t = word.trim()
        if len(t) > 0 and "0123456789".contains(t[0]) {
            try { total += int(t) } catch e { }
        }
    }
    if len(line) > len(longest) { longest = line }
    print(format("{:3}| {}", n, line.upper()))
    line = proc.stdin.read_line()
}
print("lines:", n, "total:", total)
print("longest:", longest)
print("rest:", json.encode(proc.stdin.read()))
