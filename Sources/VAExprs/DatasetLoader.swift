/// Reads the inputs of a fit from files: the matrix, its labels matched by cell id, and an
/// optional validation matrix (whose labels come from the same labels file).
public enum DatasetLoader {
    /// The training matrix, its labels (nil without a labels file) and the validation source.
    public static func load(counts: String, genesInRows: Bool = false, labels labelsPath: String?,
                            labelColumns: [String], validation: String?, validationSplit: Double?) throws
        -> (data: ExpressionMatrix, labels: [[String]]?, validation: ValidationSource) {
        let data = try ExpressionReader.read(counts, genesInRows: genesInRows)
        var validationData: ExpressionMatrix? = nil
        if let validation {
            if validationSplit != nil {
                throw VAExprsError.usage("give either --validation-split or --validation, not both")
            }
            validationData = try ExpressionReader.read(validation, genesInRows: genesInRows)
        }
        var labels: [[String]]? = nil
        var validationLabels: [[String]]? = nil
        if let labelsPath {
            guard !labelColumns.isEmpty else { throw VAExprsError.usage("--label-column: name at least one column") }
            let table = try LabelTable.read(labelsPath)
            labels = try table.values(columns: labelColumns, for: data.cellIDs, allowExtraRows: validationData != nil)
            if let validationData {
                validationLabels = try table.values(columns: labelColumns, for: validationData.cellIDs, allowExtraRows: true)
                let known = Set(data.cellIDs).union(validationData.cellIDs)
                if let stray = table.cellOrder.first(where: { !known.contains($0) }) {
                    throw VAExprsError.badData("\(labelsPath): labelled cell '\(stray)' is in neither --counts nor --validation; check that the labels belong to this data")
                }
            }
        }
        let source: ValidationSource
        if let validationData {
            source = .data(validationData, labels: validationLabels)
        } else if let validationSplit {
            source = .split(validationSplit)
        } else {
            source = .none
        }
        return (data, labels, source)
    }
}
