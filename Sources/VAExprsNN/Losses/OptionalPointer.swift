import VAExprsCore

/// Calls `body` with a mutable pointer to `matrix`'s storage, or nil when there is no matrix.
func withOptionalPointer<R>(_ matrix: inout Matrix?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard matrix != nil else { return body(nil) }
    return matrix!.storage.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
