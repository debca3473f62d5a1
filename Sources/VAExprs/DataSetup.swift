import Foundation

/// The setup `fit` uses when the user names no likelihood or normalisation: chosen from the
/// values, stated with the reason, and recorded in the model.
package enum DataSetup {
    /// A likelihood, a normalisation and why.
    package struct Choice: Sendable {
        /// The likelihood.
        package var likelihood: ComponentSpec
        /// The normalisation before scaling (continuous likelihoods).
        package var normalization: Normalization
        /// One sentence for the user and the model file.
        package var reason: String
    }

    /// Ratio of the 99.9th percentile to the median of the non-zero values above which
    /// non-negative data are taken to be on a linear scale (intensities, FPKM/TPM, counts)
    /// and log-normalised; below it they are taken as already on a log-like scale.
    package static let linearScaleRatio: Float = 50

    /// The default setup for `data`:
    /// - whole numbers ≥ 0 with zeros among them (UMI or read counts): `zinb` on raw counts
    ///   (held-out realism measured best on real UMI counts; README "Choosing the defaults");
    /// - other non-negative values (intensities floored above zero, FPKM, normalised data):
    ///   `censored_gaussian`, after log-normalisation when the values span a linear scale;
    /// - values below zero (log ratios, Ct values, centred data): `gaussian`, as given.
    ///
    /// A normalisation the user asked for is kept: log-normalisation of counts then means a
    /// continuous model (`censored_gaussian`), since the count likelihoods read raw counts.
    package static func choose(_ data: ExpressionMatrix, normalization asked: Normalization? = nil) -> Choice {
        // One pass over the values that may be non-zero (sparse data: the stored entries).
        let profile = ValueProfile(data.cells, collectingPositive: true)
        let whole = profile.allWhole, zeros = profile.hasZeros, positive = profile.positive
        if let (cell, gene, value) = profile.firstNegative {
            return Choice(
                likelihood: ComponentSpec(name: "gaussian"), normalization: .none,
                reason:
                    """
                    values below zero (\(value) at cell '\(data.cellIDs[cell])', gene '\(data.geneNames[gene])'): \
                    log-scale or centred data, so a gaussian likelihood on the values as given
                    """
            )
        }
        if whole && zeros && asked == .lognorm {
            return Choice(
                likelihood: ComponentSpec(name: "censored_gaussian"), normalization: .lognorm,
                reason:
                    """
                    whole numbers ≥ 0 with zeros (counts), log-normalised as asked, so a censored gaussian \
                    likelihood (the count likelihoods read raw counts)
                    """
            )
        }
        if whole && zeros {
            return Choice(
                likelihood: ComponentSpec(name: "zinb"), normalization: .none,
                reason:
                    """
                    whole numbers ≥ 0 with zeros: counts, so a zero-inflated negative-binomial likelihood on the \
                    raw counts with each cell's library size
                    """
            )
        }
        let nonZero = positive.sorted()
        var ratio: Float = 0
        if !nonZero.isEmpty {
            let median = nonZero[nonZero.count / 2]
            let top = nonZero[min(nonZero.count - 1, Int(Double(nonZero.count) * 0.999))]
            ratio = top / median
        }
        let what =
            whole
            ? "whole numbers ≥ 0 without zeros (minimum \(nonZero.first ?? 0)): intensities rather than counts"
            : "non-negative values that are not whole numbers"
        if ratio > linearScaleRatio {
            return Choice(
                likelihood: ComponentSpec(name: "censored_gaussian"), normalization: .lognorm,
                reason:
                    """
                    \(what), spanning a linear scale (99.9th percentile / median of non-zero values = \
                    \(String(format: "%.0f", ratio)) > \(Int(linearScaleRatio))), so log-normalisation and a \
                    censored gaussian likelihood
                    """
            )
        }
        return Choice(
            likelihood: ComponentSpec(name: "censored_gaussian"), normalization: .none,
            reason:
                """
                \(what), on a compressed scale (99.9th percentile / median of non-zero values = \
                \(String(format: "%.1f", ratio)) ≤ \(Int(linearScaleRatio))), so a censored gaussian likelihood \
                on the values as given
                """
        )
    }
}
