import VAExprsCore

/// A random forest classifier (Breiman 2001) as scikit-learn's `RandomForestClassifier`
/// defaults: 100 trees, each grown on a bootstrap sample to pure leaves by Gini impurity,
/// √features candidates per split; class probabilities are the trees' mean leaf fractions.
/// Seeded, so repeatable (scikit-learn's draws differ, so results agree statistically, not
/// bit for bit).
package struct RandomForest: Sendable {
    /// Trees in the forest.
    package let trees: Int
    private var nodes: [[Node]] = []
    private var classCount = 0

    struct Node: Sendable {
        var feature: Int32  // −1 for a leaf
        var threshold: Double
        var left: Int32, right: Int32
        var probabilities: [Double]
    }

    /// An unfitted forest.
    package init(trees: Int = 100) { self.trees = trees }

    /// Fits to `x` (rows = samples) and class indices `y` in 0..<classes.
    package mutating func fit(_ x: DoubleMatrix, _ y: [Int], classes: Int, rng: inout SeededGenerator) {
        classCount = classes
        let n = x.rows, d = x.columns
        let maxFeatures = max(1, Int(Double(d).squareRoot()))
        // Column-major copy: splits scan one feature over many samples.
        var columns = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { columns[j * n + i] = x[i, j] } }
        // Every tree's bootstrap sample and stream, drawn in order; the trees then grow on all
        // threads (the same forest for any thread count).
        var samples: [[Int]] = [], streams: [SeededGenerator] = []
        for _ in 0..<trees {
            samples.append((0..<n).map { _ in Int(rng.next() % UInt64(n)) })
            streams.append(rng.split())
        }
        var grown = [[Node]](repeating: [], count: trees)
        grown.withUnsafeMutableBufferPointer { out in
            let out = UncheckedTrees(out)
            WorkerPool.shared.runTasks(trees) { t in
                var stream = streams[t]
                out.base[t] = Self.grow(
                    columns: columns, n: n, d: d, y: y, classes: classes, sample: samples[t], maxFeatures: maxFeatures,
                    rng: &stream)
            }
        }
        nodes = grown
    }

    /// The forest's trees, each written by the one task that grows it.
    private struct UncheckedTrees: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<[Node]>
        init(_ base: UnsafeMutableBufferPointer<[Node]>) { self.base = base }
    }

    private static func grow(
        columns: [Double], n: Int, d: Int, y: [Int], classes: Int, sample: [Int], maxFeatures: Int,
        rng: inout SeededGenerator
    ) -> [Node] {
        var tree: [Node] = []
        var stack: [(node: Int, members: [Int])] = []
        func leafProbabilities(_ members: [Int]) -> [Double] {
            var counts = [Double](repeating: 0, count: classes)
            for i in members { counts[y[i]] += 1 }
            return counts.map { $0 / Double(members.count) }
        }
        tree.append(Node(feature: -1, threshold: 0, left: -1, right: -1, probabilities: leafProbabilities(sample)))
        stack.append((0, sample))
        var order: [(value: Double, member: Int32)] = []
        var counts = [Double](repeating: 0, count: classes), leftCounts = counts
        while let (node, members) = stack.popLast() {
            counts = [Double](repeating: 0, count: classes)
            for i in members { counts[y[i]] += 1 }
            if counts.filter({ $0 > 0 }).count <= 1 { continue }  // pure
            let total = Double(members.count)
            let parentGini = 1 - counts.reduce(0) { $0 + ($1 / total) * ($1 / total) }
            var bestGain = 0.0, bestFeature = -1, bestThreshold = 0.0
            // Candidate features: a random subset of √d; scikit-learn keeps drawing past
            // constant features, so do we (up to d draws).
            var features = Array(0..<d)
            var tried = 0, informative = 0
            while informative < maxFeatures && tried < d {
                let pick = tried + Int(rng.next() % UInt64(d - tried))
                features.swapAt(tried, pick)
                let f = features[tried]
                tried += 1
                let base = f * n
                // Values with their members, sorted by value (the order among equal values does
                // not matter: no split falls between them).
                order.removeAll(keepingCapacity: true)
                for i in members { order.append((columns[base + i], Int32(i))) }
                order.sort { $0.value < $1.value }
                if order[0].value == order[order.count - 1].value { continue }
                informative += 1
                for c in 0..<classes { leftCounts[c] = 0 }
                for k in 0..<(order.count - 1) {
                    leftCounts[y[Int(order[k].member)]] += 1
                    let v = order[k].value, next = order[k + 1].value
                    if v == next { continue }
                    let nl = Double(k + 1), nr = total - nl
                    var gl = 1.0, gr = 1.0
                    for c in 0..<classes {
                        let l = leftCounts[c], r = counts[c] - l
                        gl -= (l / nl) * (l / nl)
                        gr -= (r / nr) * (r / nr)
                    }
                    let gain = parentGini - (nl * gl + nr * gr) / total
                    if gain > bestGain + 1e-12 {
                        // Between neighbouring doubles the midpoint rounds to one of them; as
                        // scikit-learn does, fall back to v so the split separates them.
                        let midpoint = (v + next) / 2
                        bestGain = gain
                        bestFeature = f
                        bestThreshold = midpoint < next ? midpoint : v
                    }
                }
            }
            guard bestFeature >= 0 else { continue }
            let base = bestFeature * n
            var left: [Int] = [], right: [Int] = []
            for i in members {
                if columns[base + i] <= bestThreshold { left.append(i) } else { right.append(i) }
            }
            guard !left.isEmpty && !right.isEmpty else { continue }  // never re-queue the same members
            tree[node].feature = Int32(bestFeature)
            tree[node].threshold = bestThreshold
            tree[node].left = Int32(tree.count)
            tree.append(Node(feature: -1, threshold: 0, left: -1, right: -1, probabilities: leafProbabilities(left)))
            tree[node].right = Int32(tree.count)
            tree.append(Node(feature: -1, threshold: 0, left: -1, right: -1, probabilities: leafProbabilities(right)))
            stack.append((Int(tree[node].left), left))
            stack.append((Int(tree[node].right), right))
        }
        return tree
    }

    /// Class probabilities of each row of `x` (rows × classes).
    package func probabilities(_ x: DoubleMatrix) -> [[Double]] {
        (0..<x.rows).map { i in
            var p = [Double](repeating: 0, count: classCount)
            for tree in nodes {
                var node = 0
                while tree[node].feature >= 0 {
                    node = Int(
                        x[i, Int(tree[node].feature)] <= tree[node].threshold ? tree[node].left : tree[node].right)
                }
                for c in 0..<classCount { p[c] += tree[node].probabilities[c] }
            }
            return p.map { $0 / Double(nodes.count) }
        }
    }
}
