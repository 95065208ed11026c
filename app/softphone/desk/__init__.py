"""The window's side of the softphone (also used by `frontline doctor`): it never imports pjsua2."""
