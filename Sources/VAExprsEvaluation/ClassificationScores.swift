/// F1 scores of predicted class labels against the truth.
package enum ClassificationScores {
    /// F1 of class `k` (harmonic mean of precision and recall; 0 when it is never predicted
    /// or never true, as scikit-learn's `zero_division=0`).
    package static func f1(predicted: [Int], truth: [Int], class k: Int) -> Double {
        var truePositive = 0, predictedPositive = 0, actualPositive = 0
        for (p, t) in zip(predicted, truth) {
            if p == k { predictedPositive += 1 }
            if t == k { actualPositive += 1 }
            if p == k && t == k { truePositive += 1 }
        }
        let denominator = predictedPositive + actualPositive
        return denominator == 0 ? 0 : 2 * Double(truePositive) / Double(denominator)
    }

    /// The mean F1 over the classes that are true or predicted somewhere (macro-F1, as
    /// scikit-learn's `f1_score(average="macro")`).
    package static func macroF1(predicted: [Int], truth: [Int]) -> Double {
        let classes = Set(truth).union(predicted).sorted()
        guard !classes.isEmpty else { return .nan }
        return classes.reduce(0) { $0 + f1(predicted: predicted, truth: truth, class: $1) } / Double(classes.count)
    }
}
