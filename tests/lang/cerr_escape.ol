// Unknown escapes are errors.
let path = "C:\windows"
