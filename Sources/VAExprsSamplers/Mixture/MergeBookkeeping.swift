/// The bookkeeping mclust's agglomeration routines share: packed pair costs over slots, the
/// move of the last slot into a freed one, and the record of merges turned into cluster labels.
enum MergeBookkeeping {
    /// mclust's `wardsw(i, n, d)`: moves the packed costs of slot `last` into slot `i`'s places.
    static func wardSwap(_ d: inout [Double], _ i: Int, _ last: Int) {
        let i1 = i - 1
        var ii = (i1 * (i1 - 1)) / 2 + 1
        let n1 = last - 1
        var kk = (n1 * (n1 - 1)) / 2 + 1
        for t in 0..<i1 { d.swapAt(kk - 1 + t, ii - 1 + t) }
        ii = ii + i1 + i1
        kk = kk + i
        if n1 == i { return }
        var k = i
        repeat {
            d.swapAt(ii - 1, kk - 1)
            ii += k
            kk += 1
            k += 1
        } while k < n1
    }

    /// Turns the record the agglomeration leaves at the end of `d` — for each merge, (cost,
    /// i, j) at positions p, p − 1, p − 2 counting down from the end — into mclust's `hcPairs`:
    /// slot pairs become cluster labels (a merged cluster keeps the smaller label; the slot
    /// that moved takes the label of the last slot).
    static func labelledPairs(_ d: [Double], slots: Int, merges: Int) -> [HierarchicalVVV.Merge] {
        var labels = Array(1...slots)
        var pairs: [HierarchicalVVV.Merge] = []
        var position = d.count
        for k in 1...merges {
            let i = Int(d[position - 2]), j = Int(d[position - 3])
            position -= 3
            let ici = labels[i - 1], icj = labels[j - 1]
            if ici > icj { labels[i - 1] = icj }
            labels[j - 1] = labels[slots - k]
            pairs.append(HierarchicalVVV.Merge(first: min(ici, icj), second: max(ici, icj)))
        }
        return pairs
    }
}
