import Foundation

/// How many threads numeric work uses: the default, the most allowed, and one call's own
/// count, applied for the call and restored after (the BLAS thread count is process-wide).
package enum ThreadCount {
    /// Threads used when none are asked for: the cores this process may use, at most 8.
    package static var `default`: Int { min(8, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// The most threads numeric work may use: 4 × the processors this process may run on (more
    /// only adds switching; a mistyped 10000 would otherwise start ten thousand threads).
    package static var maximum: Int { 4 * max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Checks a thread count given as `parameter` (absent is fine: the default applies).
    /// - Throws: `VAExprsError.usage` naming the parameter.
    package static func check(_ threads: Int?, parameter: String = "threads") throws {
        guard let threads else { return }
        guard threads >= 1, threads <= maximum else {
            throw VAExprsError.usage(
                """
                \(parameter: parameter) must be a whole number from 1 to \(maximum) (4 × the \(maximum / 4) \
                processors), got \(threads)
                """
            )
        }
    }

    /// Runs `body` with numeric work on `threads` (nil: the default), then restores the
    /// process's count, whatever `body` does.
    /// - Throws: `VAExprsError.usage` for a count out of range, or what `body` throws.
    package static func using<T>(_ threads: Int?, _ body: () throws -> T) throws -> T {
        try check(threads)
        let before = BLAS.setThreads(threads ?? self.default)
        defer { BLAS.setThreads(before) }
        return try body()
    }
}
