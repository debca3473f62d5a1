import VAExprsCore

/// Approximate k nearest neighbours by NN-descent (Dong, Moses & Li 2011), initialised from a
/// random-projection forest as pynndescent does (McInnes): every leaf's points are joined,
/// then rounds of "a neighbour of a neighbour is likely a neighbour" local joins over sampled
/// new and old candidates (and reverse neighbours) refine the lists until fewer than
/// δ·n·k entries change or `maxIterations` rounds have run. Serial and seeded, so repeatable.
/// Its recall against exact search is measured in the tests and the benchmark.
enum NNDescent {
    /// Tuning, pynndescent's defaults.
    struct Settings {
        var trees: Int
        var leafSize: Int
        var maxCandidates: Int
        var maxIterations: Int
        var delta = 0.001

        static func defaults(n: Int, k: Int) -> Settings {
            var log2n = 0
            while (1 << (log2n + 1)) <= n { log2n += 1 }
            let trees = min(64, 5 + Int((Double(n).squareRoot() / 20).rounded()))
            return Settings(trees: trees, leafSize: max(10, k), maxCandidates: min(60, k), maxIterations: max(5, log2n))
        }
    }

    static func search(_ x: DoubleMatrix, k: Int, rng: inout SeededGenerator, settings: Settings? = nil)
        -> NeighbourGraph
    {
        let n = x.rows, d = x.columns
        precondition(k >= 1 && k < n)
        let settings = settings ?? .defaults(n: n, k: k)
        var heaps = NeighbourHeaps(n: n, k: k)
        x.storage.withUnsafeBufferPointer { xs in
            let data = xs.baseAddress!
            @inline(__always) func distance(_ a: Int, _ b: Int) -> Double {
                let pa = data + a * d, pb = data + b * d
                var s = 0.0
                for j in 0..<d {
                    let t = pa[j] - pb[j]
                    s += t * t
                }
                return s
            }
            // Random-projection forest: join every pair within each leaf.
            for _ in 0..<settings.trees {
                for leaf in randomProjectionLeaves(data, n: n, d: d, leafSize: settings.leafSize, rng: &rng) {
                    for a in 0..<leaf.count {
                        for b in (a + 1)..<leaf.count {
                            let dist = distance(leaf[a], leaf[b])
                            heaps.push(leaf[a], leaf[b], dist)
                            heaps.push(leaf[b], leaf[a], dist)
                        }
                    }
                }
            }
            // Points a small forest left short of k neighbours get random ones.
            for i in 0..<n where heaps.count(i) < k {
                var tries = 0
                while heaps.count(i) < k && tries < 4 * k {
                    let j = Int(rng.next() % UInt64(n))
                    if j != i { heaps.push(i, j, distance(i, j)) }
                    tries += 1
                }
            }
            for _ in 0..<settings.maxIterations {
                let (newCandidates, oldCandidates) = heaps.sampleCandidates(
                    maxCandidates: settings.maxCandidates, rng: &rng)
                var updates = 0
                for v in 0..<n {
                    let fresh = newCandidates[v], old = oldCandidates[v]
                    for a in 0..<fresh.count {
                        let p = fresh[a]
                        for b in (a + 1)..<fresh.count {
                            let q = fresh[b]
                            let dist = distance(p, q)
                            updates += heaps.push(p, q, dist) + heaps.push(q, p, dist)
                        }
                        for q in old where q != p {
                            let dist = distance(p, q)
                            updates += heaps.push(p, q, dist) + heaps.push(q, p, dist)
                        }
                    }
                }
                if Double(updates) <= settings.delta * Double(n * k) { break }
            }
        }
        return heaps.graph()
    }

    /// Leaves of one random-projection tree: split at the hyperplane equidistant from two
    /// random points until a node holds at most `leafSize` points.
    static func randomProjectionLeaves(
        _ data: UnsafePointer<Double>, n: Int, d: Int, leafSize: Int, rng: inout SeededGenerator
    ) -> [[Int]] {
        var leaves: [[Int]] = []
        var stack: [[Int]] = [Array(0..<n)]
        var normal = [Double](repeating: 0, count: d)
        while let node = stack.popLast() {
            if node.count <= leafSize {
                leaves.append(node)
                continue
            }
            let a = node[Int(rng.next() % UInt64(node.count))]
            var b = node[Int(rng.next() % UInt64(node.count))]
            var attempts = 0
            while b == a && attempts < 8 {
                b = node[Int(rng.next() % UInt64(node.count))]
                attempts += 1
            }
            var offset = 0.0
            for j in 0..<d {
                normal[j] = data[a * d + j] - data[b * d + j]
                offset -= normal[j] * (data[a * d + j] + data[b * d + j]) / 2
            }
            var left: [Int] = [], right: [Int] = []
            for i in node {
                var margin = offset
                for j in 0..<d { margin += normal[j] * data[i * d + j] }
                if margin > 0 || (margin == 0 && rng.next() & 1 == 0) { left.append(i) } else { right.append(i) }
            }
            if left.isEmpty || right.isEmpty {  // duplicates: split at random
                left = []
                right = []
                for i in node { if rng.next() & 1 == 0 { left.append(i) } else { right.append(i) } }
            }
            stack.append(left)
            stack.append(right)
        }
        return leaves
    }
}

/// Bounded max-heaps of (squared distance, index, new-flag), one per point, k entries each.
struct NeighbourHeaps {
    let n: Int
    let k: Int
    private var distances: [Double]
    private var indices: [Int32]
    private var isNew: [Bool]

    init(n: Int, k: Int) {
        self.n = n
        self.k = k
        distances = [Double](repeating: .infinity, count: n * k)
        indices = [Int32](repeating: -1, count: n * k)
        isNew = [Bool](repeating: true, count: n * k)
    }

    func count(_ i: Int) -> Int { (0..<k).filter { indices[i * k + $0] >= 0 }.count }

    /// Offers j as a neighbour of i; returns 1 when it entered the list.
    @discardableResult
    mutating func push(_ i: Int, _ j: Int, _ distance: Double) -> Int {
        let base = i * k
        guard distance < distances[base] else { return 0 }
        for s in 0..<k where indices[base + s] == Int32(j) { return 0 }
        // Replace the root (the farthest) and sift down.
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var child = p
            var childDistance = distance
            if l < k && distances[base + l] > childDistance {
                child = l
                childDistance = distances[base + l]
            }
            if r < k && distances[base + r] > childDistance { child = r }
            if child == p { break }
            distances[base + p] = distances[base + child]
            indices[base + p] = indices[base + child]
            isNew[base + p] = isNew[base + child]
            p = child
        }
        distances[base + p] = distance
        indices[base + p] = Int32(j)
        isNew[base + p] = true
        return 1
    }

    /// Per point: up to `maxCandidates` new neighbours (marked old once sampled) and old ones,
    /// each joined by the reverse neighbours that list the point.
    mutating func sampleCandidates(maxCandidates: Int, rng: inout SeededGenerator) -> (new: [[Int]], old: [[Int]]) {
        var fresh = [[Int]](repeating: [], count: n), old = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for s in 0..<k {
                let j = Int(indices[i * k + s])
                guard j >= 0 else { continue }
                if isNew[i * k + s] {
                    if fresh[i].count < maxCandidates {
                        fresh[i].append(j)
                        isNew[i * k + s] = false
                    }
                } else if old[i].count < maxCandidates {
                    old[i].append(j)
                }
            }
        }
        // Reverse neighbours, sampled to the same bound.
        var reverseNew = [[Int]](repeating: [], count: n), reverseOld = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in fresh[i] where reverseNew[j].count < maxCandidates && rng.next() & 1 == 0 {
                reverseNew[j].append(i)
            }
            for j in old[i] where reverseOld[j].count < maxCandidates && rng.next() & 1 == 0 { reverseOld[j].append(i) }
        }
        for i in 0..<n {
            fresh[i] = Array(Set(fresh[i] + reverseNew[i])).sorted()
            old[i] = Array(Set(old[i] + reverseOld[i])).sorted()
        }
        return (fresh, old)
    }

    /// The lists sorted by distance (Euclidean, not squared), as a graph.
    func graph() -> NeighbourGraph {
        var outIndices = [Int32](repeating: 0, count: n * k), outDistances = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            let order = (0..<k).sorted {
                (distances[i * k + $0], indices[i * k + $0]) < (distances[i * k + $1], indices[i * k + $1])
            }
            for (s, slot) in order.enumerated() {
                outIndices[i * k + s] = indices[i * k + slot]
                outDistances[i * k + s] = distances[i * k + slot].squareRoot()
            }
        }
        return NeighbourGraph(n: n, k: k, indices: outIndices, distances: outDistances)
    }
}
