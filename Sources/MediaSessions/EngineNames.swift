import MediaEngine

// The engine's class shares its module's name, so `EngineStreamSpec` cannot name the
// module's type; and the control protocol has types of the same names. This file imports only
// the engine and gives its types unambiguous names for the rest of the target.
typealias EngineStreamSpec = StreamSpec
typealias EngineLegSpec = LegSpec
typealias EngineLegStatistics = LegStatistics
typealias EngineStreamStatistics = StreamStatistics
typealias EngineDropReason = DropReason
