/** The package version; Redis script names carry it so that two versions never share a script. */
export const VERSION = '0.1.0';
