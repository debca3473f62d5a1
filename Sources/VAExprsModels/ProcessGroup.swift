import VAExprsCore

/// The processes of a data-parallel fit (MPI ranks): each takes its share of every global
/// mini-batch, and their gradients are summed before every optimizer step, so that all take
/// identical steps. `VAExprsDistributed.MPIProcessGroup` is the implementation over MPI.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's index, 0 ..< size; process 0 reports and writes.
    var rank: Int { get }
    /// Number of processes.
    var size: Int { get }
    /// Element-wise sums over every process, in place.
    func sum(_ values: inout [Float]) throws
    /// Element-wise sums over every process, in place.
    func sum(_ values: inout [Double]) throws
    /// Process 0's values to every process.
    func broadcastFromFirst(_ values: inout [Float]) throws
}

extension ProcessGroup {
    /// The rows of a global batch of `count` cells this process computes: a contiguous share,
    /// the first `count % size` processes taking one more.
    package func share(of count: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}

/// This process alone, as a group of one: a plain fit runs the same data-parallel steps as a
/// fit over MPI, so that `vaexprs fit` and `mpirun -np 1 vaexprs fit` give the same model, bit
/// for bit. Its collectives leave the values as they are.
package final class SingleProcess: ProcessGroup {
    /// 0.
    package let rank = 0
    /// 1.
    package let size = 1

    /// The group of this process alone.
    package init() {}

    /// Unchanged: the sum over one process.
    package func sum(_ values: inout [Float]) throws {}
    /// Unchanged: the sum over one process.
    package func sum(_ values: inout [Double]) throws {}
    /// Unchanged: this process is process 0.
    package func broadcastFromFirst(_ values: inout [Float]) throws {}
}
