import Foundation
import Synchronization

/// A small pool of dedicated threads (never Swift's cooperative pool, which long BLAS calls
/// would stall) that runs the parts of one data-parallel loop: part 0 on the calling thread,
/// the others on workers, and returns when all are done.
///
/// Work is always split into the same parts for the same `threads`, and each part writes
/// disjoint output, so results do not depend on scheduling. One loop runs at a time; a
/// caller that finds the pool busy runs its parts serially.
package final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool used by the numeric kernels.
    package static let shared = WorkerPool()

    private final class Worker: @unchecked Sendable {
        let start = SpinEvent()
        let done = SpinEvent()
        var task: (() -> Void)?
    }

    /// Spins before sleeping: a training step hands out work every few hundred microseconds,
    /// and a futex wake-up costs tens of them.
    static let spins = 200_000

    private let busy = Mutex(false)
    private var workers: [Worker] = []
    private let configuration = Mutex(1)

    /// Threads a loop is split over (1 = serial).
    package var threads: Int { configuration.withLock { $0 } }

    /// Sets the number of threads (≥ 1); worker threads are created on demand and kept.
    package func setThreads(_ count: Int) {
        let n = max(1, count)
        configuration.withLock { $0 = n }
        busy.withLock { _ in
            while workers.count < n - 1 {
                let worker = Worker()
                let thread = Thread {
                    while true {
                        worker.start.wait(spins: WorkerPool.spins)
                        worker.task?()
                        worker.task = nil
                        worker.done.post()
                    }
                }
                thread.name = "vaexprs-worker-\(workers.count + 1)"
                thread.stackSize = 1 << 22
                thread.start()
                workers.append(worker)
            }
        }
    }

    /// Runs `body(part)` for every part in `0..<parts` and waits for all of them.
    package func run(parts: Int, _ body: (Int) -> Void) {
        let n = min(parts, threads)
        let acquired =
            n > 1
            && busy.withLock { isBusy in
                if isBusy { return false }
                isBusy = true
                return true
            }
        guard acquired else {
            for p in 0..<parts { body(p) }
            return
        }
        defer { busy.withLock { $0 = false } }
        withoutActuallyEscaping(body) { escapable in
            let task = UncheckedSendable(escapable)
            // Parts beyond the thread count are spread round-robin over the same threads.
            for w in 1..<n {
                workers[w - 1].task = {
                    var p = w
                    while p < parts {
                        task.value(p)
                        p += n
                    }
                }
                workers[w - 1].start.post()
            }
            var p = 0
            while p < parts {
                escapable(p)
                p += n
            }
            for w in 1..<n { workers[w - 1].done.wait(spins: WorkerPool.spins) }
        }
    }

    /// Runs `body(task)` for every task in `0..<count`, each thread taking the next task when it
    /// finishes one (for independent tasks of uneven cost). Loops that the tasks start on this
    /// pool run serially inside them, so each task computes exactly what it would alone.
    package func runTasks(_ count: Int, _ body: (Int) -> Void) {
        let next = Atomic<Int>(0)
        run(parts: min(threads, count)) { _ in
            while true {
                let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if task >= count { break }
                body(task)
            }
        }
    }

    /// The row ranges of `rows` split into `parts` nearly equal contiguous blocks.
    package static func blocks(_ count: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, min(parts, count))
        return (0..<p).map { i in (count * i / p)..<(count * (i + 1) / p) }
    }
}

/// Carries a value across threads when the caller guarantees exclusive, structured use.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A one-waiter event that spins for a while before blocking on a semaphore.
final class SpinEvent: @unchecked Sendable {
    private static let idle = 0, sleeping = 1, posted = 2
    private let state = Atomic<Int>(0)
    private let semaphore = DispatchSemaphore(value: 0)

    /// Wakes the waiter (now, or as soon as it waits).
    func post() {
        if state.exchange(Self.posted, ordering: .acquiringAndReleasing) == Self.sleeping { semaphore.signal() }
    }

    /// Waits for `post`, spinning up to `spins` checks before sleeping; consumes the post.
    func wait(spins: Int) {
        var n = 0
        while state.load(ordering: .acquiring) != Self.posted {
            n += 1
            if n >= spins {
                if state.compareExchange(expected: Self.idle, desired: Self.sleeping, ordering: .acquiringAndReleasing)
                    .exchanged
                {
                    semaphore.wait()
                }
                n = 0
            }
        }
        state.store(Self.idle, ordering: .releasing)
    }
}
