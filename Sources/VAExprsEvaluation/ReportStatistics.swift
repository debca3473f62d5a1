import Foundation
import VAExprsCore

/// Mean and sample standard deviation of repeated measurements (sd 0 for one).
struct MeanAndSD {
    let mean: Double
    let sd: Double

    init(_ values: [Double]) {
        let n = Double(values.count)
        let centre = values.reduce(0, +) / n
        mean = centre
        sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - centre) * ($1 - centre) } / (n - 1)).squareRoot() : 0
    }
}

/// The median of `values` (NaN when empty).
func medianOf(_ values: [Double]) -> Double {
    let v = values.sorted(), n = v.count
    return n == 0 ? .nan : (n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]))
}

/// Cell totals and the zero fraction of raw values (before any normalisation).
struct CellTotals {
    /// Median of the cells' totals over all genes.
    let median: Double
    /// Fraction of values that are zero.
    let zeroFraction: Double

    init(_ m: Matrix) {
        var totals = [Double](repeating: 0, count: m.rows), zeros = 0
        for i in 0..<m.rows {
            for j in 0..<m.columns {
                let v = m[i, j]
                totals[i] += Double(v)
                if v == 0 { zeros += 1 }
            }
        }
        median = medianOf(totals)
        zeroFraction = m.rows * m.columns == 0 ? .nan : Double(zeros) / Double(m.rows * m.columns)
    }
}

/// Distances from cells to their nearest training cell (Euclidean, on principal components).
enum NearestTraining {
    /// Query cells measured at most (a seeded sample above it): a median needs no more.
    static let maximumQueries = 2_000

    /// A seeded sample of at most `maximumQueries` of `count` rows.
    static func sample(_ count: Int, rng: inout SeededGenerator) -> [Int] { rng.choose(maximumQueries, of: count) }

    /// The median over `rows` of `queries` of the distance to the nearest row of `training`.
    static func medianDistance(_ queries: DoubleMatrix, to training: DoubleMatrix, at rows: [Int]) -> Double {
        var nearest = [Double](repeating: .infinity, count: rows.count)
        let d = queries.columns
        nearest.withUnsafeMutableBufferPointer { out in
            let blocks = WorkerPool.blocks(rows.count, parts: WorkerPool.shared.threads)
            WorkerPool.shared.run(parts: blocks.count) { part in
                for k in blocks[part] {
                    let q = rows[k]
                    var best = Double.infinity
                    for t in 0..<training.rows {
                        var squared = 0.0
                        for j in 0..<d {
                            let e = queries[q, j] - training[t, j]
                            squared += e * e
                            if squared >= best { break }
                        }
                        best = min(best, squared)
                    }
                    out[k] = best.squareRoot()
                }
            }
        }
        return medianOf(nearest)
    }
}
