/// Reads the inputs of a fit from files: the matrix, its labels matched by cell id (from a
/// labels file, or from an `.h5ad`'s `obs` columns), and an optional validation matrix
/// (whose labels come from the same source).
package enum DatasetLoader {
    /// The obs column of an `.h5ad` taken as the condition when no labels are named.
    package static let defaultObsLabelColumn = "label"

    /// The training matrix, its labels (nil for a plain VAE), the validation matrix with its
    /// labels (nil: none) and whether
    /// the labels are an `.h5ad`'s obs column taken without being named (worth telling the
    /// user). `labelColumns` nil means `label` with a labels file; without one, an `.h5ad`'s
    /// obs column `label` when it has one and `obsLabelsByDefault`, else no labels.
    package static func load(
        counts: String, genesInRows: Bool = false, matrix: AnnDataMatrix = .x, labels labelsPath: String?,
        labelColumns: [String]?, validation: String?, obsLabelsByDefault: Bool = true
    ) throws
        -> (
            data: ExpressionMatrix, labels: [[String]]?, validation: (ExpressionMatrix, labels: [[String]]?)?,
            labelsFromObsByDefault: Bool
        )
    {
        let (data, obs) = try ExpressionReader.readWithAnnotations(counts, genesInRows: genesInRows, matrix: matrix)
        let validationInput = try validation.map {
            try ExpressionReader.readWithAnnotations($0, genesInRows: genesInRows, matrix: matrix)
        }
        var labels: [[String]]? = nil
        var validationLabels: [[String]]? = nil
        if let labelsPath {
            let columns = labelColumns ?? ["label"]
            guard !columns.isEmpty else {
                throw VAExprsError.usage("\(parameter: "labelColumns"): name at least one column")
            }
            let table = try LabelTable.read(labelsPath)
            labels = try table.values(
                columns: columns, for: data.cellIDs, allowExtraRows: validationInput != nil,
                geneNames: data.geneNames, genesInRows: genesInRows)
            if let validationData = validationInput?.matrix {
                validationLabels = try table.values(columns: columns, for: validationData.cellIDs, allowExtraRows: true)
                let known = Set(data.cellIDs).union(validationData.cellIDs)
                if let stray = table.cellOrder.first(where: { !known.contains($0) }) {
                    throw VAExprsError.badData(
                        """
                        \(labelsPath): labelled cell '\(stray)' is in neither \(parameter: "counts") nor \
                        \(parameter: "validationFile"); check that the labels belong to this data
                        """
                    )
                }
            }
        } else if let columns = labelColumns ?? defaultObsColumns(obs, enabled: obsLabelsByDefault) {
            guard let obs else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "labelColumns") needs \(parameter: "labels") FILE (or an .h5ad input, whose obs \
                    columns can be labels)
                    """
                )
            }
            labels = try obsLabels(obs, columns: columns, source: counts)
            if let validationInput {
                guard let validationObs = validationInput.obs else {
                    throw VAExprsError.usage(
                        """
                        \(parameter: "validationFile"): labels come from obs columns here, so the validation \
                        matrix must be an .h5ad too
                        """
                    )
                }
                validationLabels = try obsLabels(validationObs, columns: columns, source: validation!)
            }
        }
        return (
            data, labels, validationInput.map { ($0.matrix, validationLabels) },
            labelsPath == nil && labelColumns == nil && labels != nil
        )
    }

    /// `[label]` when an `.h5ad`'s obs has that column and defaults are on.
    private static func defaultObsColumns(_ obs: [String: [String]]?, enabled: Bool) -> [String]? {
        enabled && obs?[defaultObsLabelColumn] != nil ? [defaultObsLabelColumn] : nil
    }

    /// The labels of a file streamed from disk, matched by cell id: from a labels file, or
    /// from the `.h5ad`'s obs columns when only `labelColumns` is given; nil for a plain VAE.
    /// Like `load`, an `.h5ad`'s obs column `label` is taken when nothing is named and
    /// `obsLabelsByDefault` (`labelsFromObsByDefault` then true).
    package static func labels(
        of file: SparseRowFile, labelsPath: String?, labelColumns: [String]?,
        obsLabelsByDefault: Bool = true
    ) throws -> (labels: [[String]]?, labelsFromObsByDefault: Bool) {
        if let labelsPath {
            let columns = labelColumns ?? ["label"]
            guard !columns.isEmpty else {
                throw VAExprsError.usage("\(parameter: "labelColumns"): name at least one column")
            }
            return (
                try LabelTable.read(labelsPath).values(columns: columns, for: file.cellIDs, geneNames: file.geneNames),
                false
            )
        }
        if labelColumns == nil, let columns = defaultObsColumns(file.obs, enabled: obsLabelsByDefault) {
            return (try obsLabels(file.obs!, columns: columns, source: file.path), true)
        }
        guard let columns = labelColumns else { return (nil, false) }
        guard let obs = file.obs else {
            throw VAExprsError.usage(
                """
                \(parameter: "labelColumns") needs \(parameter: "labels") FILE (or an .h5ad input, whose obs \
                columns can be labels)
                """
            )
        }
        return (try obsLabels(obs, columns: columns, source: file.path), false)
    }

    private static func obsLabels(_ obs: [String: [String]], columns: [String], source: String) throws -> [[String]] {
        let values = try columns.map { column -> [String] in
            guard let v = obs[column] else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "labelColumns"): \(source) has no obs column '\(column)'; its obs columns: \
                    \(obs.keys.sorted().joined(separator: ", "))
                    """
                )
            }
            if let empty = v.firstIndex(of: "") {
                throw VAExprsError.badData(
                    "\(source): obs '\(column)' is missing for cell \(empty + 1); every cell needs a label")
            }
            return v
        }
        return (0..<(values.first?.count ?? 0)).map { i in values.map { $0[i] } }
    }
}
