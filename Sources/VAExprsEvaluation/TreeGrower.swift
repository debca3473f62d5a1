import VAExprsCore

/// Grows one tree of a `RandomForest` on binned features: depth first to pure leaves, Gini
/// impurity, √features candidate features per node drawn until that many vary there (as
/// scikit-learn keeps drawing past constant features, up to every feature). A node's samples
/// are a range of one index buffer, partitioned in place; a large node's candidate feature is
/// scored from a histogram of (bin, class) counts, a small one's from its sorted (bin, class)
/// keys. Among the cuts that separate two neighbouring non-empty bins the middle one is kept,
/// as an exact learner keeps the midpoint between two neighbouring values.
struct TreeGrower {
    /// Nodes below this many samples sort their keys instead of filling a histogram.
    static let histogramMinimum = 32
    let bins: FeatureBins
    let labels: [Int32]
    let classes: Int
    let maxFeatures: Int
    var rng: SeededGenerator

    /// A grower over `bins` with class indices `labels` (one per binned sample).
    init(bins: FeatureBins, labels: [Int32], classes: Int, rng: SeededGenerator) {
        self.bins = bins
        self.labels = labels
        self.classes = classes
        self.rng = rng
        maxFeatures = max(1, Int(Double(bins.cuts.count).squareRoot()))
    }

    /// The best split found so far at a node.
    private struct Split {
        var proxy: Double
        var feature = -1
        var cut = 0
    }

    /// Working memory of one tree, allocated once: the node's class counts, the left side's,
    /// a (bin, class) histogram, sorted keys, the candidate features' order.
    private struct Scratch {
        let counts: UnsafeMutableBufferPointer<Double>
        let leftCounts: UnsafeMutableBufferPointer<Double>
        let histogram: UnsafeMutableBufferPointer<Int32>
        let keys: UnsafeMutableBufferPointer<Int32>
        let features: UnsafeMutableBufferPointer<Int>

        init(classes: Int, features d: Int) {
            counts = .allocate(capacity: classes)
            leftCounts = .allocate(capacity: classes)
            histogram = .allocate(capacity: FeatureBins.maxBins * classes)
            histogram.initialize(repeating: 0)
            keys = .allocate(capacity: TreeGrower.histogramMinimum)
            features = .allocate(capacity: d)
            for f in 0..<d { features[f] = f }
        }

        func deallocate() {
            counts.deallocate()
            leftCounts.deallocate()
            histogram.deallocate()
            keys.deallocate()
            features.deallocate()
        }
    }

    /// The tree grown on `sample` (indices into the binned samples, repeats allowed).
    mutating func grow(sample: [Int32]) -> RandomForest.Tree {
        var members = sample
        // Each member's class beside it, partitioned with it (read in order, not gathered).
        var memberClasses = sample.map { labels[Int($0)] }
        var tree = RandomForest.Tree()
        tree.nodes.append(RandomForest.Node(feature: -1, threshold: 0, left: -1, right: -1))
        var stack: [(node: Int, start: Int, end: Int)] = [(0, 0, members.count)]
        let n = bins.rows, classes = classes
        let scratch = Scratch(classes: classes, features: bins.cuts.count)
        defer { scratch.deallocate() }
        bins.codes.withUnsafeBufferPointer { codes in
            memberClasses.withUnsafeMutableBufferPointer { memberClasses in
                members.withUnsafeMutableBufferPointer { members in
                    while let (node, start, end) = stack.popLast() {
                        for c in 0..<classes { scratch.counts[c] = 0 }
                        for k in start..<end { scratch.counts[Int(memberClasses[k])] += 1 }
                        guard
                            let split = bestSplit(
                                UnsafeBufferPointer(rebasing: members[start..<end]), codes: codes,
                                memberClasses: UnsafeBufferPointer(rebasing: memberClasses[start..<end]),
                                scratch: scratch)
                        else {
                            let total = Double(end - start)
                            tree.nodes[node].left = Int32(tree.leafProbabilities.count)
                            for c in 0..<classes { tree.leafProbabilities.append(scratch.counts[c] / total) }
                            continue
                        }
                        // Partition the node's range: codes ≤ cut first.
                        let base = split.feature * n
                        var low = start, high = end - 1
                        while low <= high {
                            if Int(codes[base + Int(members[low])]) <= split.cut {
                                low += 1
                            } else {
                                members.swapAt(low, high)
                                memberClasses.swapAt(low, high)
                                high -= 1
                            }
                        }
                        let left = tree.nodes.count
                        tree.nodes[node].feature = Int32(split.feature)
                        tree.nodes[node].threshold = bins.cuts[split.feature][split.cut]
                        tree.nodes[node].left = Int32(left)
                        tree.nodes[node].right = Int32(left + 1)
                        tree.nodes.append(RandomForest.Node(feature: -1, threshold: 0, left: -1, right: -1))
                        tree.nodes.append(RandomForest.Node(feature: -1, threshold: 0, left: -1, right: -1))
                        stack.append((left, start, low))
                        stack.append((left + 1, low, end))
                    }
                }
            }
        }
        return tree
    }

    /// The split of a node's samples (`memberClasses`: theirs; `scratch.counts`: how many of each)
    /// with the largest Gini decrease, or nil when the node is pure or nothing separates them.
    private mutating func bestSplit(
        _ members: UnsafeBufferPointer<Int32>, codes: UnsafeBufferPointer<UInt8>,
        memberClasses: UnsafeBufferPointer<Int32>,
        scratch: Scratch
    ) -> Split? {
        let total = Double(members.count)
        var present = 0, parentProxy = 0.0
        for c in 0..<classes where scratch.counts[c] > 0 {
            present += 1
            parentProxy += scratch.counts[c] * scratch.counts[c] / total
        }
        guard present > 1 else { return nil }
        // Gini decrease = (proxy − parent's proxy) / total, proxy = Σ l²/n_l + Σ r²/n_r.
        var best = Split(proxy: parentProxy + 1e-12 * total)
        let d = scratch.features.count
        var tried = 0, informative = 0
        while informative < maxFeatures && tried < d {
            let pick = tried + Int(rng.next() % UInt64(d - tried))
            scratch.features.swapAt(tried, pick)
            let feature = scratch.features[tried]
            tried += 1
            let column = UnsafeBufferPointer(rebasing: codes[(feature * bins.rows)..<((feature + 1) * bins.rows)])
            let varies =
                members.count >= Self.histogramMinimum
                ? Self.scanHistogram(
                    members, column: column, memberClasses: memberClasses, classes: classes, feature: feature,
                    scratch: scratch,
                    best: &best)
                : Self.scanSorted(
                    members, column: column, memberClasses: memberClasses, classes: classes, feature: feature,
                    scratch: scratch,
                    best: &best)
            if varies { informative += 1 }
        }
        return best.feature >= 0 ? best : nil
    }

    /// Scores a split between `scratch.leftCounts` (`leftTotal` samples) and the rest, at cut `cut`.
    @inline(__always)
    private static func score(
        leftTotal: Double, total: Double, classes: Int, feature: Int, cut: Int, scratch: Scratch, best: inout Split
    ) {
        let rightTotal = total - leftTotal
        var left = 0.0, right = 0.0
        for c in 0..<classes {
            let l = scratch.leftCounts[c], r = scratch.counts[c] - l
            left += l * l
            right += r * r
        }
        let proxy = left / leftTotal + right / rightTotal
        if proxy > best.proxy { best = Split(proxy: proxy, feature: feature, cut: cut) }
    }

    /// Scores every cut of one feature (`column`: its codes) from a histogram; false when the
    /// node's samples share one bin.
    private static func scanHistogram(
        _ members: UnsafeBufferPointer<Int32>, column: UnsafeBufferPointer<UInt8>,
        memberClasses: UnsafeBufferPointer<Int32>,
        classes: Int, feature: Int, scratch: Scratch, best: inout Split
    ) -> Bool {
        let histogram = scratch.histogram
        var lowest = FeatureBins.maxBins, highest = -1
        for k in members.indices {
            let code = Int(column[Int(members[k])])
            histogram[code &* classes &+ Int(memberClasses[k])] &+= 1
            lowest = min(lowest, code)
            highest = max(highest, code)
        }
        guard lowest < highest else {
            for c in 0..<classes { histogram[lowest * classes + c] = 0 }
            return false
        }
        let total = Double(members.count)
        var leftTotal = 0.0
        for c in 0..<classes {
            scratch.leftCounts[c] = Double(histogram[lowest * classes + c])
            leftTotal += scratch.leftCounts[c]
        }
        var previous = lowest
        for bin in (lowest + 1)...highest {
            var binTotal: Int32 = 0
            for c in 0..<classes { binTotal &+= histogram[bin * classes + c] }
            guard binTotal > 0 else { continue }
            score(
                leftTotal: leftTotal, total: total, classes: classes, feature: feature, cut: (previous + bin - 1) / 2,
                scratch: scratch, best: &best)
            for c in 0..<classes { scratch.leftCounts[c] += Double(histogram[bin * classes + c]) }
            leftTotal += Double(binTotal)
            previous = bin
        }
        for k in (lowest * classes)..<((highest + 1) * classes) { histogram[k] = 0 }
        return true
    }

    /// Scores every cut of one feature from the node's sorted (bin, class) keys; false when the
    /// node's samples share one bin.
    private static func scanSorted(
        _ members: UnsafeBufferPointer<Int32>, column: UnsafeBufferPointer<UInt8>,
        memberClasses: UnsafeBufferPointer<Int32>,
        classes: Int, feature: Int, scratch: Scratch, best: inout Split
    ) -> Bool {
        let keys = scratch.keys, count = members.count, width = Int32(classes)
        // Insertion sort: a few dozen keys at most.
        for k in 0..<count {
            let key = Int32(column[Int(members[k])]) &* width &+ memberClasses[k]
            var j = k
            while j > 0 && keys[j - 1] > key {
                keys[j] = keys[j - 1]
                j -= 1
            }
            keys[j] = key
        }
        let lowest = Int(keys[0] / width), highest = Int(keys[count - 1] / width)
        guard lowest < highest else { return false }
        for c in 0..<classes { scratch.leftCounts[c] = 0 }
        let total = Double(count)
        var previous = lowest
        for k in 0..<count {
            let bin = Int(keys[k] / width)
            if bin != previous {
                score(
                    leftTotal: Double(k), total: total, classes: classes, feature: feature,
                    cut: (previous + bin - 1) / 2, scratch: scratch, best: &best)
                previous = bin
            }
            scratch.leftCounts[Int(keys[k] % width)] += 1
        }
        return true
    }
}
