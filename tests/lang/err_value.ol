// error(v) with a non-string value, uncaught: the message is str(v).
fn validate(rec) {
    if rec.age < 0 {
        error({field: "age", value: rec.age})
    }
}
validate({age: 1})
print("first ok")
validate({age: -4})
