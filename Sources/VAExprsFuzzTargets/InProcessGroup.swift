import Foundation
import VAExprs

/// A `ProcessGroup` of threads in one process, for testing what the processes of an MPI job
/// do (their agreement, their collectives) without MPI. Each collective waits for every
/// member; one called with different sizes by different members is recorded as a violation
/// (MPI would corrupt memory or fail with MPI_ERR_TRUNCATE) and throws on each.
package final class InProcessGroup: ProcessGroup, @unchecked Sendable {
    /// This member's index.
    package let rank: Int
    /// The number of members.
    package var size: Int { hub.size }
    private let hub: Hub

    private init(rank: Int, hub: Hub) {
        self.rank = rank
        self.hub = hub
    }

    /// `size` members sharing one hub.
    package static func members(_ size: Int) -> [InProcessGroup] {
        let hub = Hub(size: size)
        return (0..<size).map { InProcessGroup(rank: $0, hub: hub) }
    }

    /// Whether any collective was called with unequal sizes.
    package var sawUnequalSizes: Bool { hub.condition.withLock { hub.unequal } }

    /// Runs `body` on every member, each on its own thread, and returns what each threw (nil
    /// for none), by rank.
    package static func run(_ members: [InProcessGroup], _ body: @escaping @Sendable (InProcessGroup) throws -> Void)
        -> [(any Error)?]
    {
        let results = ResultBox(count: members.count)
        let group = DispatchGroup()
        for member in members {
            let thread = Thread {
                do { try body(member) } catch { results.set(member.rank, error) }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        group.wait()
        return results.values
    }

    package func sum(_ values: inout [Float]) throws {
        var wide = values.map(Double.init)
        try sum(&wide)
        values = wide.map(Float.init)
    }

    package func sum(_ values: inout [Double]) throws {
        values = try hub.exchange(rank: rank, values) { deposits in
            var total = [Double](repeating: 0, count: deposits[0].count)
            for d in deposits { for i in d.indices { total[i] += d[i] } }
            return total
        }
    }

    package func broadcastFromFirst(_ values: inout [Float]) throws {
        values = try hub.exchange(rank: rank, values.map(Double.init)) { $0[0] }.map(Float.init)
    }

    /// What the members share: the deposits of the collective under way.
    private final class Hub: @unchecked Sendable {
        let size: Int
        let condition = NSCondition()
        var deposits: [[Double]]
        var arrived = 0, generation = 0
        var result: [Double]? = nil
        var unequal = false

        init(size: Int) {
            self.size = size
            deposits = Array(repeating: [], count: size)
        }

        func exchange(rank: Int, _ values: [Double], combine: ([[Double]]) -> [Double]) throws -> [Double] {
            condition.lock()
            defer { condition.unlock() }
            deposits[rank] = values
            arrived += 1
            let mine = generation
            if arrived == size {
                let equal = Set(deposits.map(\.count)).count == 1
                if !equal { unequal = true }
                result = equal ? combine(deposits) : nil
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while generation == mine { condition.wait() }
            }
            guard let result else {
                throw VAExprsError(
                    .other,
                    "a collective call with unequal sizes on rank \(rank) (MPI_ERR_TRUNCATE, or memory corruption)")
            }
            return result
        }
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [(any Error)?]
        init(count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ error: any Error) { lock.withLock { stored[index] = error } }
        var values: [(any Error)?] { lock.withLock { stored } }
    }
}
