// Only names, a[i] and m.k can be assigned.
let items = [1, 2]
len(items) = 3
