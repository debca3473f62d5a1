import CBLAS
import VAExprsCore

/// A k-nearest-neighbour graph: for every row, `k` other rows by increasing Euclidean distance.
struct NeighbourGraph {
    /// Rows of the data.
    let n: Int
    /// Neighbours per row.
    let k: Int
    /// Row-major n × k neighbour indices (self excluded).
    var indices: [Int32]
    /// Row-major n × k Euclidean distances, ascending within each row.
    var distances: [Double]

    /// The `slot`-th neighbour of row `i`.
    func neighbour(_ i: Int, _ slot: Int) -> (index: Int, distance: Double) {
        (Int(indices[i * k + slot]), distances[i * k + slot])
    }
}

/// Exact k nearest neighbours by brute force: squared distances |a|² + |b|² − 2a·b in row
/// blocks with `dgemm`, then a bounded max-heap per row (O(n log k)); blocks run in parallel
/// on the worker pool. Ties go to the lower index, so the graph is deterministic.
enum ExactNeighbours {
    static func search(_ x: DoubleMatrix, k: Int) -> NeighbourGraph {
        let n = x.rows, d = x.columns
        precondition(k >= 1 && k < n)
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for j in 0..<d { s += x[i, j] * x[i, j] }
            norms[i] = s
        }
        var indices = [Int32](repeating: 0, count: n * k)
        var distances = [Double](repeating: 0, count: n * k)
        let blockRows = 128
        let blockCount = (n + blockRows - 1) / blockRows
        let threads = WorkerPool.shared.threads
        x.storage.withUnsafeBufferPointer { xs in
            norms.withUnsafeBufferPointer { norm in
                indices.withUnsafeMutableBufferPointer { outIndex in
                    distances.withUnsafeMutableBufferPointer { outDistance in
                        WorkerPool.shared.run(parts: threads) { part in
                            var dots = [Double](repeating: 0, count: blockRows * n)
                            var heap = BoundedMaxHeap(capacity: k)
                            var block = part
                            while block < blockCount {
                                let start = block * blockRows, rows = min(blockRows, n - start)
                                dots.withUnsafeMutableBufferPointer { dp in
                                    cblas_dgemm(
                                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d), 1,
                                        xs.baseAddress! + start * d, Int32(d), xs.baseAddress, Int32(d), 0,
                                        dp.baseAddress, Int32(n))
                                }
                                for r in 0..<rows {
                                    let i = start + r
                                    heap.removeAll()
                                    dots.withUnsafeBufferPointer { dp in
                                        let row = dp.baseAddress! + r * n
                                        for j in 0..<n where j != i {
                                            heap.offer(max(norm[i] + norm[j] - 2 * row[j], 0), Int32(j))
                                        }
                                    }
                                    heap.drainSorted(
                                        distances: outDistance.baseAddress! + i * k,
                                        indices: outIndex.baseAddress! + i * k)
                                }
                                block += threads
                            }
                        }
                    }
                }
            }
        }
        for p in distances.indices { distances[p] = distances[p].squareRoot() }
        return NeighbourGraph(n: n, k: k, indices: indices, distances: distances)
    }
}

/// The `capacity` smallest (key, index) pairs seen, ordered by key then index.
struct BoundedMaxHeap {
    let capacity: Int
    private(set) var keys: [Double] = []
    private(set) var items: [Int32] = []

    init(capacity: Int) {
        self.capacity = capacity
        keys.reserveCapacity(capacity)
        items.reserveCapacity(capacity)
    }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }

    @inline(__always) private func greater(_ a: Int, _ b: Int) -> Bool {
        keys[a] > keys[b] || (keys[a] == keys[b] && items[a] > items[b])
    }

    /// Keeps (key, item) if it is among the smallest so far.
    @inline(__always) mutating func offer(_ key: Double, _ item: Int32) {
        if keys.count < capacity {
            keys.append(key)
            items.append(item)
            var c = keys.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard greater(c, p) else { break }
                keys.swapAt(c, p)
                items.swapAt(c, p)
                c = p
            }
            return
        }
        guard key < keys[0] || (key == keys[0] && item < items[0]) else { return }
        keys[0] = key
        items[0] = item
        siftDown(0, count: keys.count)
    }

    private mutating func siftDown(_ start: Int, count: Int) {
        var p = start
        while true {
            let l = 2 * p + 1, r = l + 1
            var top = p
            if l < count && greater(l, top) { top = l }
            if r < count && greater(r, top) { top = r }
            if top == p { return }
            keys.swapAt(p, top)
            items.swapAt(p, top)
            p = top
        }
    }

    /// Writes the kept pairs in ascending order and empties the heap.
    mutating func drainSorted(distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int32>) {
        var count = keys.count
        while count > 0 {
            count -= 1
            distances[count] = keys[0]
            indices[count] = items[0]
            keys.swapAt(0, count)
            items.swapAt(0, count)
            siftDown(0, count: count)
        }
        removeAll()
    }
}
