/** `/categories`: built in part 2 (issue 9). */
import { Placeholder } from "./Placeholder";

export default function Categories() {
  return <Placeholder title="categories" />;
}
