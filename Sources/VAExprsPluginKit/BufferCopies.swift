/// Copies between the host's C buffers and Swift arrays; nil or empty buffers copy nothing.
enum BufferCopies {
    /// The first `count` values at `pointer` (empty for a nil pointer or a count ≤ 0).
    static func array<T>(_ pointer: UnsafePointer<T>?, count: Int) -> [T] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Writes at most `limit` values of `values` to `destination`.
    static func write<T>(_ values: [T], to destination: UnsafeMutablePointer<T>?, limit: Int) {
        guard let destination else { return }
        values.withUnsafeBufferPointer { source in
            let count = min(source.count, limit)
            if count > 0 { destination.update(from: source.baseAddress!, count: count) }
        }
    }
}
