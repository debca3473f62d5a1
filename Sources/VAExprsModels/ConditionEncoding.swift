import VAExprsCore

/// One-hot encoding of a conditional VAE's conditions: one block per label column, one
/// column per class (classes sorted), concatenated to the encoder input and to z.
public struct ConditionEncoding: Codable, Sendable, Equatable {
    /// The label columns used as conditions (e.g. `label`, `batch`).
    public var columns: [String]
    /// The sorted classes of each column.
    public var classes: [[String]]

    /// The encoding for the observed labels (`labels[cell][column]`).
    package init(columns: [String], labels: [[String]]) {
        self.columns = columns
        self.classes = columns.indices.map { c in Array(Set(labels.map { $0[c] })).sorted() }
    }

    /// Total one-hot width.
    package var width: Int { classes.reduce(0) { $0 + $1.count } }

    /// The key that names one combination of labels (`T cell`, or `T cell|batch1` for several columns).
    package func key(_ values: [String]) -> String { values.joined(separator: "|") }

    /// One-hot rows for `labels`; a class not seen in training is an error naming it.
    package func encode(_ labels: [[String]], source: String) throws -> Matrix {
        var m = Matrix(rows: labels.count, columns: width)
        for (i, row) in labels.enumerated() {
            var offset = 0
            for c in columns.indices {
                guard let k = classes[c].firstIndex(of: row[c]) else {
                    throw VAExprsError.badData(
                        """
                        \(source): label '\(row[c])' in column '\(columns[c])' was not among the training labels \
                        (\(classes[c].joined(separator: ", ")))
                        """
                    )
                }
                m[i, offset + k] = 1
                offset += classes[c].count
            }
        }
        return m
    }

    /// The label combinations present in `labels` (their keys, sorted) and each cell's index
    /// among them: the groups of per-label latent samplers, library sizes and dispersions.
    package func groups(of labels: [[String]]) -> (keys: [String], index: [Int32]) {
        let keys = Array(Set(labels.map(key))).sorted()
        return (keys, groupIndices(of: labels, keys: keys))
    }

    /// Each cell's index among `keys` (from `groups(of:)` on the training cells); a label
    /// combination the training cells lacked gets group 0.
    package func groupIndices(of labels: [[String]], keys: [String]) -> [Int32] {
        let position = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Int32($0)) })
        return labels.map { position[key($0)] ?? 0 }
    }
}
