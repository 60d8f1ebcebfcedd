/** Integer options: the rule lives in the validation module. */
export { intOption, intOptionOr } from '../validation/values.js';
