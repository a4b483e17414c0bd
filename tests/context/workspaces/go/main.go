package main

import (
	"fmt"

	"example.com/demo/util"
)

func main() {
	fmt.Println(util.Join([]string{"a", "b"}))
}
