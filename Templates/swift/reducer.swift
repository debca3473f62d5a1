// {{NAME}}: a reducer; the scaffold returns the first k features, centred (a valid embedding).

private let componentKind = VAEXPRS_KIND_REDUCER
private let componentDescription = "first k features, centred"

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_reducer_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_reducer_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_reducer_vtable>.size),
        create: { noSettings($0, $1, $2) },
        destroy: { free($0) },
        reduce: { _, x, n, d, k, out, _, error, size in
            let n = Int(n), d = Int(d), k = Int(k)
            guard k >= 1, k <= d else { fail("{{NAME}} gives 1 to \(d) components, asked for \(k)", error, size); return 1 }
            for c in 0..<k {
                var mean = 0.0
                for i in 0..<n { mean += x![i * d + c] / Double(n) }
                for i in 0..<n { out![i * k + c] = x![i * d + c] - mean }
            }
            return 0
        }))
    return UnsafeRawPointer(table)
}
