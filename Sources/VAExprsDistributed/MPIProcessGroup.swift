import CMPIRuntime
import Foundation
import VAExprsCore
import VAExprsModels

/// The processes started by `mpirun` (or `srun`) as a `ProcessGroup`, over MPI loaded at run
/// time (`CMPIRuntime`: Open MPI's libmpi.so.40), so that VAExprs builds and runs without MPI.
package final class MPIProcessGroup: ProcessGroup {
    /// This process's rank in MPI_COMM_WORLD.
    package let rank: Int
    /// The number of processes.
    package let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Environment variables an MPI launcher sets in every process it starts.
    package static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]

    /// True when this process was started by an MPI launcher.
    package static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return launcherVariables.contains { environment[$0] != nil }
    }

    /// What to install when MPI is missing.
    package static let installHint =
        """
        install Open MPI (Debian: apt-get install openmpi-bin, which brings libopenmpi3) and start the processes \
        with mpirun -np N (or srun)
        """

    /// The group of this process, initialising MPI; an error saying what to install when MPI
    /// cannot be loaded.
    package static func join() throws -> MPIProcessGroup {
        var message = [CChar](repeating: 0, count: 512)
        guard vaexprs_mpi_load(&message, message.count) == 0 else {
            throw VAExprsError(
                .missingInput, "training over several processes needs MPI: \(String(cString: message)); \(installHint)")
        }
        var rank: Int32 = 0, size: Int32 = 1
        guard vaexprs_mpi_init(&rank, &size, &message, message.count) == 0 else {
            throw VAExprsError(.other, "MPI did not start: \(String(cString: message))")
        }
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// Element-wise sums over every process, in place (MPI_Allreduce, MPI_SUM).
    package func sum(_ values: inout [Float]) throws {
        try check(
            values.withUnsafeMutableBufferPointer { vaexprs_mpi_sum_floats($0.baseAddress, Int64($0.count)) },
            "MPI_Allreduce")
    }

    /// Element-wise sums over every process, in place (MPI_Allreduce, MPI_SUM).
    package func sum(_ values: inout [Double]) throws {
        try check(
            values.withUnsafeMutableBufferPointer { vaexprs_mpi_sum_doubles($0.baseAddress, Int64($0.count)) },
            "MPI_Allreduce")
    }

    /// Rank 0's values to every process, in place (MPI_Bcast).
    package func broadcastFromFirst(_ values: inout [Float]) throws {
        try check(
            values.withUnsafeMutableBufferPointer { vaexprs_mpi_broadcast_floats($0.baseAddress, Int64($0.count)) },
            "MPI_Bcast")
    }

    /// Waits for every process, then ends MPI (once, at the end of the command).
    package func finish() {
        _ = vaexprs_mpi_barrier()
        _ = vaexprs_mpi_finalize()
    }

    /// Ends every process of the job with `status` (MPI_Abort): the way one process's failure
    /// stops the others within seconds instead of leaving them waiting in a collective call.
    package func abort(status: Int32) -> Never {
        _ = vaexprs_mpi_abort(status)
        exit(status)
    }

    private func check(_ status: Int32, _ call: String) throws {
        guard status == 0 else {
            throw VAExprsError(.other, "\(call) failed on rank \(rank) of \(size) (MPI error \(status))")
        }
    }
}
