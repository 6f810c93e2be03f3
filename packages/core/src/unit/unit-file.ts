/** One `Name=Value` line of a unit file, in file order. Repeated keys stay separate options. */
export interface UnitOption {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

/** A parsed unit file: the ordered options, exactly as fleet's go-systemd lexer yields them. */
export interface UnitFile {
  readonly options: readonly UnitOption[];
}
