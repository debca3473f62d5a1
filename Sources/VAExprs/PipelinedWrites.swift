import Foundation

/// Writing of generated blocks on a thread of its own, so that compressing and writing one
/// block overlaps with drawing the next: blocks are written in the order submitted, at most
/// `depth` wait, and the first error stops the rest and is thrown by the next `submit` or by
/// `finish`.
final class PipelinedWrites: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vaexprs.generated-writes")
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    private var failure: (any Error)?

    /// A pipeline holding at most `depth` blocks in flight.
    init(depth: Int = 2) { slots = DispatchSemaphore(value: depth) }

    private var firstFailure: (any Error)? { lock.withLock { failure } }

    /// Queues `work` (which owns what it captures from now on); waits while `depth` are queued.
    func submit(_ work: @escaping () throws -> Void) throws {
        if let error = firstFailure { throw error }
        slots.wait()
        let task = UncheckedWork(work)
        queue.async {
            defer { self.slots.signal() }
            guard self.firstFailure == nil else { return }
            do { try task.run() } catch { self.lock.withLock { if self.failure == nil { self.failure = error } } }
        }
    }

    /// Waits for every queued write; throws the first error.
    func finish() throws {
        queue.sync {}
        if let error = firstFailure { throw error }
    }
}

/// A write handed to the writing thread, which alone touches what it captures until it is done.
private struct UncheckedWork: @unchecked Sendable {
    let run: () throws -> Void
    init(_ run: @escaping () throws -> Void) { self.run = run }
}
