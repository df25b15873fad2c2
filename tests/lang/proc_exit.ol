// proc.exit(n) ends the program with status n; proc.args has the script arguments.
let args = proc.args
print(type(args), len(args))
for i, a in args { print(i, a) }
proc.stdout("no ", "newline", ";")
proc.stdout.write(" written\n")
proc.stderr.write("to stderr\n")
fn finish(code) {
    print("exiting with", code)
    proc.exit(code)
    print("not reached")
}
finish(len(args))
print("not reached either")
