// Growing a list of lists until the memory cap.
print("start")
let l = []
let i = 0
while true {
    l.push([i, i + 1, i + 2])
    i += 1
}
