import CHDF5
import CZlib
import Dispatch
import VAExprsCore

/// Rows of 32-bit floats stored in a chunked, deflate-filtered 2-D dataset a whole chunk at a
/// time, the chunks compressed on all cores (zlib at level 1 with the run-length strategy,
/// `vaexprs_compress_runs`: a stream HDF5's deflate filter reads) and stored with
/// `H5Dwrite_chunk`. HDF5 itself compresses on the one thread
/// that calls it, which bounded writing large dense matrices (generated continuous values: two
/// thirds of `generate`'s time). The last, partial chunk is padded with zeros, as HDF5 stores
/// edge chunks; the dataset's extent keeps only the rows appended.
final class DeflatedFloatChunks {
    private let dataset: hid_t
    private let rowsPerChunk: Int, columns: Int
    private let fail: (String) -> VAExprsError
    /// Rows received but not yet stored (less than a chunk after every `append`).
    private var pending: [Float] = []
    private var storedChunks = 0

    /// Writes into `dataset` (chunks of `rowsPerChunk` × `columns`, deflate its one filter);
    /// `fail` names the file and dataset in errors.
    init(dataset: hid_t, rowsPerChunk: Int, columns: Int, fail: @escaping (String) -> VAExprsError) {
        self.dataset = dataset
        self.rowsPerChunk = rowsPerChunk
        self.columns = columns
        self.fail = fail
    }

    /// Takes `values` (whole rows) and stores every chunk now complete: the held-back rows
    /// completed first, then whole chunks straight from `values` (not copied); the rest is held
    /// back. The caller has set the dataset's extent to cover them.
    func append(_ values: UnsafeBufferPointer<Float>) throws {
        let chunkValues = rowsPerChunk * columns
        var rest = values[...]
        if !pending.isEmpty {
            let taken = min(chunkValues - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(taken))
            rest = rest.dropFirst(taken)
            guard pending.count == chunkValues else { return }
            try pending.withUnsafeBytes { try store(chunks: 1, from: $0) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = rest.count / chunkValues
        if whole > 0 { try store(chunks: whole, from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: rest))) }
        pending.append(contentsOf: rest.dropFirst(whole * chunkValues))
    }

    /// Stores the last, partial chunk (padded with zeros).
    func finish() throws {
        guard !pending.isEmpty else { return }
        pending.append(contentsOf: repeatElement(0, count: rowsPerChunk * columns - pending.count))
        try pending.withUnsafeBytes { try store(chunks: 1, from: $0) }
        pending.removeAll()
    }

    /// Compresses the `chunks` whole chunks at `source` on all cores, then writes them in order.
    private func store(chunks: Int, from source: UnsafeRawBufferPointer) throws {
        let chunkValues = rowsPerChunk * columns, chunkBytes = chunkValues * MemoryLayout<Float>.size
        let bound = Int(compressBound(uLong(chunkBytes)))
        var compressed = [UInt8](repeating: 0, count: chunks * bound)
        var sizes = [Int](repeating: -1, count: chunks)
        compressed.withUnsafeMutableBytes { target in
            sizes.withUnsafeMutableBufferPointer { sizes in
                let work = ChunkBuffers(source: source, target: target, sizes: sizes)
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    var length = uLong(bound)
                    let status = vaexprs_compress_runs(
                        work.target.baseAddress!.advanced(by: k * bound).assumingMemoryBound(to: Bytef.self),
                        &length,
                        work.source.baseAddress!.advanced(by: k * chunkBytes).assumingMemoryBound(to: Bytef.self),
                        uLong(chunkBytes))
                    work.sizes[k] = status == Z_OK ? Int(length) : -1
                }
            }
        }
        for k in 0..<chunks {
            guard sizes[k] >= 0 else { throw fail("a chunk cannot be compressed (zlib; out of memory?)") }
            var offset: [hsize_t] = [hsize_t((storedChunks + k) * rowsPerChunk), 0]
            let status = compressed.withUnsafeBytes {
                H5Dwrite_chunk(dataset, vaexprs_h5p_default(), 0, &offset, sizes[k], $0.baseAddress! + k * bound)
            }
            guard status >= 0 else { throw fail("cannot be written (disk full?)") }
        }
        storedChunks += chunks
    }
}

/// The buffers the compressing threads share, each thread writing its own chunk's slot.
private struct ChunkBuffers: @unchecked Sendable {
    let source: UnsafeRawBufferPointer
    let target: UnsafeMutableRawBufferPointer
    let sizes: UnsafeMutableBufferPointer<Int>
}
