// {{NAME}}: a renderer; the scaffold writes the figure description itself (JSON).

private let componentKind = VAEXPRS_KIND_RENDERER
private let componentDescription = "the figure description as JSON"

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_renderer_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_renderer_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_renderer_vtable>.size),
        file_extensions: UnsafePointer(strdup("{{NAME}}.json")!),
        render: { _, figure, bytes, length, error, size in
            guard let figure else { fail("no figure", error, size); return 1 }
            let n = strlen(figure)
            guard let buffer = host.pointee.alloc(n) else { fail("out of memory", error, size); return 1 }
            memcpy(buffer, figure, n)
            bytes!.pointee = buffer.assumingMemoryBound(to: UInt8.self)
            length!.pointee = n
            return 0
        }))
    return UnsafeRawPointer(table)
}
