import VAExprsCore

/// A random forest classifier (Breiman 2001) as scikit-learn's `RandomForestClassifier`
/// defaults: 100 trees, each grown on a bootstrap sample to pure leaves by Gini impurity,
/// √features candidates per split; class probabilities are the trees' mean leaf fractions.
/// Splits are found on binned features (`FeatureBins`: 256 bins at quantiles, exact below 257
/// distinct values), as histogram learners do, not on every distinct value as scikit-learn's
/// forest does: a node's split costs one pass over its samples instead of a sort. Seeded, so
/// repeatable (scikit-learn's draws differ, so results agree statistically, not bit for bit).
package struct RandomForest: Sendable {
    /// Trees in the forest.
    package let trees: Int
    private var grown: [Tree] = []
    private var classCount = 0

    /// One tree: its nodes, and its leaves' class fractions side by side.
    struct Tree: Sendable {
        var nodes: [Node] = []
        var leafProbabilities: [Double] = []
    }

    struct Node: Sendable {
        var feature: Int32  // −1 for a leaf
        var threshold: Double
        /// Children, or for a leaf the offset of its class fractions.
        var left: Int32, right: Int32
    }

    /// An unfitted forest.
    package init(trees: Int = 100) { self.trees = trees }

    /// Fits to `x` (rows = samples) and class indices `y` in 0..<classes.
    package mutating func fit(_ x: DoubleMatrix, _ y: [Int], classes: Int, rng: inout SeededGenerator) {
        classCount = classes
        let n = x.rows
        let bins = FeatureBins(x)
        let labels = y.map { Int32($0) }
        // Every tree's bootstrap sample and stream, drawn in order; the trees then grow on all
        // threads (the same forest for any thread count).
        var samples: [[Int32]] = [], streams: [SeededGenerator] = []
        for _ in 0..<trees {
            samples.append((0..<n).map { _ in Int32(rng.next() % UInt64(n)) })
            streams.append(rng.split())
        }
        var grown = [Tree](repeating: Tree(), count: trees)
        grown.withUnsafeMutableBufferPointer { out in
            let out = UncheckedTrees(out)
            WorkerPool.shared.runTasks(trees) { t in
                var grower = TreeGrower(bins: bins, labels: labels, classes: classes, rng: streams[t])
                out.base[t] = grower.grow(sample: samples[t])
            }
        }
        self.grown = grown
    }

    /// The forest's trees, each written by the one task that grows it.
    private struct UncheckedTrees: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Tree>
        init(_ base: UnsafeMutableBufferPointer<Tree>) { self.base = base }
    }

    /// Class probabilities of each row of `x` (rows × classes), rows in blocks on all threads.
    package func probabilities(_ x: DoubleMatrix) -> [[Double]] {
        let classes = classCount, rows = x.rows, block = 256
        var flat = [Double](repeating: 0, count: rows * classes)
        flat.withUnsafeMutableBufferPointer { out in
            let out = UncheckedProbabilities(out)
            WorkerPool.shared.runTasks((rows + block - 1) / block) { part in
                for i in (part * block)..<min(rows, (part + 1) * block) {
                    for tree in grown {
                        var node = 0
                        while tree.nodes[node].feature >= 0 {
                            let split = tree.nodes[node]
                            node = Int(x[i, Int(split.feature)] <= split.threshold ? split.left : split.right)
                        }
                        let offset = Int(tree.nodes[node].left)
                        for c in 0..<classes { out.base[i * classes + c] += tree.leafProbabilities[offset + c] }
                    }
                }
            }
        }
        let trees = Double(grown.count)
        return (0..<rows).map { i in (0..<classes).map { flat[i * classes + $0] / trees } }
    }

    /// Rows of probabilities, each block of rows written by the one task that scores it.
    private struct UncheckedProbabilities: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Double>
        init(_ base: UnsafeMutableBufferPointer<Double>) { self.base = base }
    }
}
