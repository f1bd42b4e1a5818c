namespace NewApi.Common;

// Values are persisted in SQLite and exchanged with New API consoles: never renumber (Architecture/PersistedEnumTests).
public enum Role { Guest = 0, User = 1, Admin = 10, Root = 100 }

public enum UserStatus { Enabled = 1, Disabled = 2 }

public enum TokenStatus { Enabled = 1, Disabled = 2, Expired = 3, Exhausted = 4 }

public enum ChannelStatus { Unknown = 0, Enabled = 1, ManuallyDisabled = 2, AutoDisabled = 3 }

public enum RedemptionStatus { Enabled = 1, Disabled = 2, Used = 3 }

public enum LogType { Unknown = 0, Topup = 1, Consume = 2, Manage = 3, System = 4, Error = 5, Refund = 6, Login = 7 }
