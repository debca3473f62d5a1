// {{NAME}}: an element-wise activation; the scaffold is the identity f(x) = x, f'(x) = 1.

private let componentKind = VAEXPRS_KIND_ACTIVATION
private let componentDescription = "identity activation"

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_activation_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_activation_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_activation_vtable>.size),
        forward: { x, y, n in for i in 0..<Int(n) { y![i] = x![i] } },
        backward: { _, _, dy, dx, n in for i in 0..<Int(n) { dx![i] = dy![i] } }))  // dx = dy · f'(x)
    return UnsafeRawPointer(table)
}
